from django.core.management.base import BaseCommand

from tasks import services


class Command(BaseCommand):
    help = (
        "Create the current and next period of every recurring task of the current campaign, and link "
        "responsible people written as names to their accounts. Safe to run as often as you like (daily)."
    )

    def handle(self, *args, **options):
        created = services.occurrences_roll()
        linked = services.people_link_pending()
        self.stdout.write(f"{created} periods created, {linked} tasks linked to accounts")
