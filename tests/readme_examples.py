"""The README's code examples, as the tests that run them extract them."""

import pathlib

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def readme_example(heading):
    """The first ```python block after the README's ``## heading`` line."""
    text = README.read_text()
    section = text[text.index(f"## {heading}\n"):]
    start = section.index("```python\n") + len("```python\n")
    return section[start:section.index("```\n", start)]
