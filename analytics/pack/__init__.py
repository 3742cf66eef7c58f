"""The monthly review pack: HTML (print-ready, self-contained), PDF and Markdown.

Every number comes from :func:`analytics.review.build_review` (the same function as the
app's Monthly review page and ``sla review --json``); :mod:`analytics.pack.build`
derives the pack's sections from it, :mod:`analytics.pack.render` turns them into a
document with the jinja2 templates of ``analytics/pack/templates``.
"""

from analytics.pack.build import ActionItem, ReviewPack, build_pack
from analytics.pack.render import PACK_FORMATS, PackFormat, render_pack

__all__ = ["PACK_FORMATS", "ActionItem", "PackFormat", "ReviewPack", "build_pack", "render_pack"]
