"""The one exception a user ever sees."""


class InputError(ValueError):
    """Bad user input: the message says what is wrong and where (file, line, word).

    It is a ValueError, so notebook code that catches ValueError keeps working.
    Pages show the message with ``st.error``; nothing else escapes the loaders.
    """
