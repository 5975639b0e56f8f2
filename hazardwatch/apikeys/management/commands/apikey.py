"""hazardwatch apikey create --name NAME [--user USERNAME --org ORG_ID] | list | revoke PREFIX"""
from django.core.management.base import BaseCommand, CommandError

from hazardwatch.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create, list and revoke API keys (REST token and Open311 api_key)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new key (shown once)")
        create.add_argument("--name", required=True)
        create.add_argument("--user", help="username the key acts as (staff keys)")
        create.add_argument("--org", type=int, help="organization id the key is scoped to (with --user)")
        sub.add_parser("list", help="keys with prefix, owner, organization, state")
        revoke = sub.add_parser("revoke", help="revoke by prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        from hazardwatch.accounts.models import Organization, User
        from hazardwatch.apikeys.models import ApiKey
        from hazardwatch.apikeys.services import apikey_create, apikey_revoke

        action = options["action"]
        if action == "create":
            user = org = None
            if options["user"]:
                user = User.objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f"no user {options['user']!r}")
                if options["org"] is None and not user.is_superuser:
                    raise CommandError("a user key needs --org (the organization it is scoped to)")
            if options["org"] is not None:
                if user is None:
                    raise CommandError("--org needs --user")
                org = Organization.objects.filter(pk=options["org"]).first()
                if org is None:
                    raise CommandError(f"no organization {options['org']}")
            try:
                key, raw = apikey_create(name=options["name"], user=user, organization=org)
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(raw)
        elif action == "list":
            for k in ApiKey.objects.select_related("user", "organization"):
                state = "revoked" if k.revoked_at else "active"
                self.stdout.write(f"{k.prefix}  {state:<7}  {k.name}  user={k.user or '-'}  org={k.organization or '-'}"
                                  f"  last used {k.last_used_at or 'never'}")
        else:
            key = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if key is None:
                raise CommandError(f"no key with prefix {options['prefix']!r}")
            apikey_revoke(key=key)
            self.stdout.write(f"revoked {key.prefix}")
