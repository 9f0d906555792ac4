"""``wsz key new|hash``: API keys for imports over HTTP (the server keeps only hashes)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING

from geo.errors import ConfigurationError

if TYPE_CHECKING:
    from geo.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz key``."""
    keys = commands.add_parser(
        "key",
        help="make an API key for imports over HTTP, or hash one",
        description="API keys let GIS staff import over HTTP (POST /imports/...). The server "
        "keeps only their SHA-256 hashes, by name, in WSZ_API_KEYS; the import log records "
        "the name.",
    )
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new", help="print a new random key (once) and the WSZ_API_KEYS line with its hash"
    )
    new.add_argument("name", help="who the key is for, e.g. gis-team (letters, digits, ._-)")
    actions.add_parser(
        "hash", help="read a key from standard input (or a prompt) and print its hash"
    )
    keys.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print a new key and its settings line, or the hash of a key read from stdin."""
    del settings
    from service.auth import check_key_name, hash_key, new_key  # FastAPI: only for this command

    try:
        if args.action == "new":
            name = check_key_name(args.name)
            secret = new_key()
            print(
                f"New API key for {name} (shown only now; hand it over safely, keep it out of "
                f"URLs and repositories):\n\n  {secret}\n\nGive the server its hash, e.g. in "
                f".env (add to the JSON object if there are keys already):\n\n"
                f"  WSZ_API_KEYS='{json.dumps({name: hash_key(secret)})}'\n\nUse it as "
                "`Authorization: Bearer KEY` or `X-API-Key: KEY`."
            )
            return 0
        raw = getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline()
        print(hash_key(raw))
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    return 0
