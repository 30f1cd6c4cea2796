"""A helper module, imported by models.py, so builds must snapshot the whole project."""


def shout(text: str) -> str:
    return text.upper()
