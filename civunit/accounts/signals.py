"""What the accounts app tells the apps above it, without importing them (they connect in their ready())."""

from django.dispatch import Signal

# Sent (with `user`) by the admin after it creates an account, or changes a person's real name or active flag,
# inside the save's transaction. The tasks app links the tasks imported with that name before the account existed.
person_changed = Signal()
