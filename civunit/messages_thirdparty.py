"""Messages that Django and third-party apps show in English because their own zh_Hans catalogs lack them.

Listed here (marked, never called) so that makemessages puts them into the project catalog, where Django's
translation lookup finds them: the catalogs of LOCALE_PATHS and of the installed apps are merged, ours first.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    # Django 6.1's blank label of a choice field (django.db.models.fields.BLANK_CHOICE_LABEL)
    gettext_noop("- Select an option -"),
    # django-axes (login protection): its model names
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # django-tasks-db (the database task queue)
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
]
