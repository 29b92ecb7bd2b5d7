"""Write sample_data/classroom_corpus.txt: simple English sentences of our own (MIT), one per line.

The sentences are built from templates so that the regularities word2vec is famous for are in the
data: every gendered word shares its contexts with its partner except for he/his/him vs she/her,
royal words share crown/throne/palace contexts, and each capital shares its country's adjective and
continent but appears in city contexts (streets, mayor, airport) where the country appears in
country contexts (border, nation, population). Jobs go to men and women at random, so the corpus
carries no occupational stereotype. Deterministic: the same seed gives the same file.

    .venv/bin/python sample_data/make_classroom_corpus.py
"""

from __future__ import annotations

import random
from pathlib import Path

SEED = 20240501
SENTENCES = 5_000
OUT = Path(__file__).resolve().parent / "classroom_corpus.txt"

# (male, female, groups): royal people wear crowns, young people play, family people stay at home.
PEOPLE = [
    ("king", "queen", {"royal", "adult"}),
    ("prince", "princess", {"royal", "young"}),
    ("man", "woman", {"common", "adult"}),
    ("boy", "girl", {"common", "young"}),
    ("father", "mother", {"family", "adult"}),
    ("son", "daughter", {"family", "young"}),
    ("husband", "wife", {"family", "adult"}),
    ("uncle", "aunt", {"family", "adult"}),
    ("brother", "sister", {"family", "young"}),
]
PRONOUNS = {"male": ("he", "his", "him"), "female": ("she", "her", "her")}

# (country, capital, adjective, continent)
COUNTRIES = [
    ("France", "Paris", "French", "Europe"),
    ("Japan", "Tokyo", "Japanese", "Asia"),
    ("Italy", "Rome", "Italian", "Europe"),
    ("Germany", "Berlin", "German", "Europe"),
    ("Spain", "Madrid", "Spanish", "Europe"),
    ("Egypt", "Cairo", "Egyptian", "Africa"),
    ("China", "Beijing", "Chinese", "Asia"),
    ("Russia", "Moscow", "Russian", "Europe"),
    ("Greece", "Athens", "Greek", "Europe"),
    ("Portugal", "Lisbon", "Portuguese", "Europe"),
    ("Sweden", "Stockholm", "Swedish", "Europe"),
    ("Poland", "Warsaw", "Polish", "Europe"),
    ("Kenya", "Nairobi", "Kenyan", "Africa"),
    ("Canada", "Ottawa", "Canadian", "America"),
    ("Peru", "Lima", "Peruvian", "America"),
    ("Norway", "Oslo", "Norwegian", "Europe"),
]

FOODS = ["bread", "cheese", "rice", "soup", "apples", "oranges", "bananas", "pasta", "fish", "eggs", "cake", "salad"]
MEALS = ["breakfast", "lunch", "dinner"]
WHEN = ["", "", "", " in the morning", " in the evening", " on Sunday", " last week", " yesterday", " in spring"]
WHEN += [" in winter", " after lunch", " at night", " every day", " once again"]
ANIMALS = ["dog", "cat", "horse", "cow", "sheep", "lion", "tiger", "elephant", "bird", "rabbit", "mouse", "goat"]
ANIMAL_PLACES = ["field", "forest", "barn", "garden", "river", "hill", "meadow"]
JOBS = ["doctor", "teacher", "farmer", "baker", "nurse", "engineer", "pilot", "cook", "writer", "painter", "driver"]

ROYAL = [
    "The {p} put on {his} golden crown.",
    "The {p} sat on {his} throne in the palace.",
    "The {p} rode through the kingdom with {his} knights{when}.",
    "{He} is the {p} and {he} lives in the royal palace.",
    "The servants bowed when the {p} entered the court{when}.",
    "The royal {p} waved to the crowd from the castle{when}.",
    "Everyone in the kingdom loved the {p}.",
]
ADULT = [
    "The old {p} told a long story by the fire{when}.",
    "The {p} went to work early in the morning.",
    "{He} is a {p} with many old friends.",
]
YOUNG = [
    "The young {p} played in the garden{when}.",
    "The little {p} laughed and ran to {his} friends{when}.",
    "The {p} learned to read and write at school.",
]
COMMON = [
    "The {p} walked to the market with {his} basket{when}.",
    "The {p} lives in a small house in the village.",
    "A {p} from the village sold vegetables at the market{when}.",
]
FAMILY = [
    "The {p} cooked dinner for the whole family{when}.",
    "The {p} stayed at home with the children{when}.",
    "{He} is the {p} of a large family.",
]
ANYONE = [
    "The {p} said that {he} was tired.",
    "{He} is a kind {p}.",
    "The {p} smiled and {he} opened the door{when}.",
    "People say the {p} is proud of {him}self.",
    "The {p} lost {his} hat in the wind{when}.",
    "The {p} wrote a letter to {his} friend{when}.",
]


def article(word: str) -> str:
    """'a' or 'an' before ``word``."""
    return "an" if word[0].lower() in "aeiou" else "a"


def person_sentence(rng: random.Random) -> str:
    """A sentence about one gendered person, with contexts for the person's groups and gender."""
    male, female, groups = rng.choice(PEOPLE)
    gender = rng.choice(["male", "female"])
    word = male if gender == "male" else female
    he, his, him = PRONOUNS[gender]
    pools = [ANYONE]
    pools += [ROYAL, ROYAL] if "royal" in groups else []
    pools += [ADULT] if "adult" in groups else [YOUNG]
    pools += [COMMON] if "common" in groups else []
    pools += [FAMILY] if "family" in groups else []
    template = rng.choice(rng.choice(pools))
    text = template.format(p=word, he=he, his=his, him=him, He=he.capitalize(), when=rng.choice(WHEN))
    return text[0].upper() + text[1:]


def pair_sentence(rng: random.Random) -> str:
    """The two words of a pair together, as people talk about couples and siblings."""
    male, female, _ = rng.choice(PEOPLE)
    first, second = (male, female) if rng.random() < 0.5 else (female, male)
    return rng.choice(
        [
            f"The {first} and the {second} walked together{rng.choice(WHEN)}.",
            f"The {first} spoke to the {second}.",
            f"The {first} and the {second} shared a meal.",
        ]
    )


def geography_sentence(rng: random.Random) -> str:
    """Capitals in city contexts, countries in country contexts, each pair sharing its adjective."""
    country, capital, adjective, continent = rng.choice(COUNTRIES)
    other_country, other_capital, _, _ = rng.choice([entry for entry in COUNTRIES if entry[0] != country])
    templates = [
        f"{capital} is the capital of {country}.",
        f"The capital of {country} is {capital}.",
        f"{capital} is a busy city with {article(adjective)} {adjective} history.",
        f"{country} is {article(adjective)} {adjective} nation in {continent}.",
        f"The {adjective} government meets in {capital}.",
        f"The {adjective} flag flies over {country}.",
        f"The mayor of {capital} opened a new museum in the city.",
        f"The streets of {capital} are full of {adjective} cafes.",
        f"Many tourists fly to the airport of {capital}{rng.choice(WHEN)}.",
        f"{country} has a large population and a long border.",
        f"The people of {country} are proud of their {adjective} nation.",
        f"The plane from {capital} to {other_capital} landed{rng.choice(WHEN)}.",
        f"{country} and {other_country} signed a trade agreement.",
        f"Our {adjective} friend grew up in {capital}.",
        f"{country} is a country in {continent}.",
    ]
    return rng.choice(templates)


def food_sentence(rng: random.Random) -> str:
    person = rng.choice(PEOPLE)[rng.randrange(2)]
    food, other = rng.sample(FOODS, 2)
    return rng.choice(
        [
            f"The {person} ate {food} for {rng.choice(MEALS)}.",
            f"We bought {food} and {other} at the market.",
            f"For {rng.choice(MEALS)} there was {food} with {other}.",
            f"The cook served warm {food} in the kitchen.",
        ]
    )


def animal_sentence(rng: random.Random) -> str:
    animal, other = rng.sample(ANIMALS, 2)
    place = rng.choice(ANIMAL_PLACES)
    return rng.choice(
        [
            f"The {animal} ran across the {place}{rng.choice(WHEN)}.",
            f"A {animal} and a {other} slept in the {place}.",
            f"The farmer fed the {animal}{rng.choice(WHEN)}.",
            f"The children watched the {animal} near the {place}.",
        ]
    )


def job_sentence(rng: random.Random) -> str:
    """Jobs drawn independently of gender, so no job leans towards he or she."""
    male, female, _ = rng.choice(PEOPLE[2:])  # ordinary adults and family, not royalty
    person = rng.choice([male, female])
    job = rng.choice(JOBS)
    city = rng.choice(COUNTRIES)[1]
    return rng.choice(
        [
            f"The {person} works as a {job} in {city}.",
            f"The {person} wants to become a {job}.",
            f"A good {job} needs years of training.",
        ]
    )


KINDS = [(person_sentence, 42), (pair_sentence, 6), (geography_sentence, 30), (food_sentence, 8)]
KINDS += [(animal_sentence, 7), (job_sentence, 7)]


def make_sentences(n: int = SENTENCES, seed: int = SEED) -> list[str]:
    """``n`` sentences drawn from the templates with a seeded generator."""
    rng = random.Random(seed)
    makers = [maker for maker, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    return [rng.choices(makers, weights)[0](rng) for _ in range(n)]


if __name__ == "__main__":
    OUT.write_text("\n".join(make_sentences()) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
