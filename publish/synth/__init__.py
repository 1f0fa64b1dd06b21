"""Sample inboxes made with faker (zh_CN): each monthly dataset's file as its unit would send it.

Layout: `<inbox>/<YYYY-MM>/<unit short name>/<dataset title><period and suffix>.xlsx|csv`, e.g.
`inbox/2026-10/区民政局/城乡低保2026年10月发放名册.xlsx`; it matches each entry's `inbox` glob.
Content is seeded by (period, dataset), so a period always gives the same rows and the same bytes.
With `defects=True` realistic mistakes are planted and listed in `<inbox>/<YYYY-MM>/_defects.json`.

Modules: `ids` (ID numbers, credit codes, amounts in words), `values` (the seeded value source),
`rosters`, `reports` and `environment` (row makers), `tables` (dataset -> row maker), `shapes` (file
formats), `defects` (planting and the manifest), `inbox` (`generate_inbox`).
"""

from publish.synth.defects import DEFECT_KINDS, Defect, Manifest
from publish.synth.ids import credit_code, id_check_digit, in_words, is_valid_id
from publish.synth.inbox import generate_inbox
from publish.synth.shapes import SHAPES, Shape

__all__ = ["DEFECT_KINDS", "SHAPES", "Defect", "Manifest", "Shape", "credit_code", "generate_inbox", "id_check_digit",
           "in_words", "is_valid_id"]
