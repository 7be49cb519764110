"""The clinic portal's management pages: schedules, calendar, practitioners, services, profile."""
