"""The `id` URL converter: `<id:pk>` in every URL that names an object by its number.

Django's `int` converter hands any run of digits to the view, and a number beyond 64 bits
(/tasks/99999999999999999999999/) then made SQLite raise OverflowError in the query: a 500. This converter
matches the same digits but refuses a number the databases cannot store, so such a URL answers 404 like any
missing object, before any view runs. Importing this module registers it (every urls module that uses it does).
"""

from django.urls import register_converter

from civunit.forms import INT64_MAX


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT64_MAX:
            raise ValueError("beyond 64 bits")  # the resolver treats it as no match: 404
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
