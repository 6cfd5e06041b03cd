"""What other apps show on a criterion's page (its tasks, its evidence), without campaign importing them.

An app registers a provider in its AppConfig.ready()::

    from campaign import links

    @links.register
    def tasks_of_standard(request, criterion) -> dict | None:
        return {"title": "…", "items": [{"label": "…", "url": "…", "meta": "…"}], "empty": "…"}

The criterion page renders every section a provider returns (None: nothing to show) through
campaign/_criterion_links.html. Providers apply the access policy themselves and should use a constant number
of queries.
"""

from collections.abc import Callable

Provider = Callable[..., dict | None]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(request, criterion) -> list[dict]:
    sections = []
    for provider in _providers:
        section = provider(request, criterion)
        if section:
            sections.append(section)
    return sections
