"""Users and items: an interactions table (user, item[, rating]), factorised (truncated SVD, or
implicit's ALS) into one space of users and items, and recall@10 on held-out interactions."""
