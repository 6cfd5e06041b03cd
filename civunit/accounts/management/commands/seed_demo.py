import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civunit.accounts import demo
from civunit.accounts.demo import DEMO_PASSWORD, PEOPLE

# Each app seeds its own demo data in its demo.py, in this order (later ones build on earlier ones).
APP_SEEDERS = ["campaign.demo", "tasks.demo", "evidence.demo", "evidence.demo_review", "tasks.demo_reminders"]


class Command(BaseCommand):
    help = "Create a realistic demo organ, campaign and breakdown. Running it again leaves the same rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply tasks, activities and evidence rows (for benchmarks).",
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, scale: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: it runs only with DEBUG on (or with --force)."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        self.stdout.write("Seeding demo data …")
        demo.seed(stdout=self.stdout)
        for module_name in APP_SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            module.seed(scale=scale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo users (password: {DEMO_PASSWORD}):"))
        for username, real_name, office, _position, roles, _heads in PEOPLE:
            role_names = "、".join(str(r.label) for r in roles)
            self.stdout.write(f"  {username:<12} {real_name} · {office} · {role_names}")
