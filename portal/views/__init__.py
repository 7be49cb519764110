"""The clinic portal's pages by area: today (the day at the desk), calendar, schedules, catalog (practitioners and
services), profile, records (exports, feeds, activity, staff)."""
