"""Notification rules: when messages go out (schedule), reminders, digests, portfolio digests."""
