"""English dates as the board has always written them ("3 December 2026"), not Django's
American defaults ("Dec. 3, 2026"). The other languages use Django's own formats."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
