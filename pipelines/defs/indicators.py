"""Stage 5, indicators: one SQL file per indicator family (sql/indicators/), then one long table with values and names.

The assets come from the SQL files themselves (`pipelines.lib.sql_assets`): the files of sql/indicators/, their
dependencies the tables each file reads. The tables published beside the indicators are protect's
(`pipelines/defs/protect.py`).
"""

from pipelines.lib.sql_assets import sql_asset
from pipelines.lib.sql_models import models_of

indicator_assets = [sql_asset(model) for model in models_of("indicators")]
