from civunit import navigation as nav


def navigation_items(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return nav.items_for(user)


def navigation(request) -> dict:
    # Lazy: pages that never render the navigation (healthz, downloads) pay nothing.
    from django.utils.functional import SimpleLazyObject

    return {"nav_items": SimpleLazyObject(lambda: navigation_items(request))}
