"""The exercise server: the HTTP API of a live exercise, its event streams and its store
(``tousrisques serve``; the ``web`` extra). docs/exercise.md, "The server and its API".
"""

from tousrisques.web._app import ServerSettings, create_app
from tousrisques.web._auth import hash_secret, new_token
from tousrisques.web._db import migrate, schema_version
from tousrisques.web._service import Library
from tousrisques.web._store import SqlStore

__all__ = ["Library", "ServerSettings", "SqlStore", "create_app", "hash_secret", "migrate",
           "new_token", "schema_version"]
