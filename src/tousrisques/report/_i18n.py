"""The report's two languages: the package's catalog and formats (see ``tousrisques._i18n``)."""

from __future__ import annotations

from tousrisques._i18n import (
    DASH,
    DOMAIN,
    LOCALES,
    MISSING,
    NBSP,
    NNBSP,
    Formats,
    Text,
    catalog_path,
    check_lang,
    gettext,
    ngettext,
    pick,
    translations,
)

__all__ = ["DASH", "DOMAIN", "LOCALES", "MISSING", "NBSP", "NNBSP", "Formats", "Text",
           "catalog_path", "check_lang", "gettext", "ngettext", "pick", "translations"]
