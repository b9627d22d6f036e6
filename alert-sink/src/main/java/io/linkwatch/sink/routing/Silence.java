package io.linkwatch.sink.routing;

import io.linkwatch.sink.alert.Matcher;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A silence or maintenance window, like an Azure alert processing rule with a suppression action:
 * alerts whose labels satisfy the matchers are not delivered while it is active (they are counted
 * and shown on the dashboard, not lost). Active between {@code startsAt} and {@code endsAt} when
 * given, and, when it has a {@code schedule}, only inside the recurring window.
 *
 * @param name shown on the dashboard and in metrics
 * @param comment why (who asked, the change ticket)
 * @param matchers label matchers (all must hold)
 * @param startsAt first instant, or {@code null} for "already"
 * @param endsAt end instant (exclusive), or {@code null} for "until removed"
 * @param schedule recurring window, or {@code null} for "all the time between the bounds"
 * @param receivers receivers it applies to; empty for all
 */
public record Silence(
    String name,
    String comment,
    List<Matcher> matchers,
    Instant startsAt,
    Instant endsAt,
    Schedule schedule,
    Set<String> receivers) {

  public Silence {
    matchers = List.copyOf(matchers);
    receivers = Set.copyOf(receivers);
  }

  /**
   * A weekly recurring window in a time zone, e.g. Monday to Friday 22:00 to 02:00 Europe/Paris. A
   * window whose end is not after its start runs past midnight; the day is that of its start.
   *
   * @param zone time zone of the times
   * @param days days on which the window starts; empty for every day
   * @param start start time of day (inclusive)
   * @param end end time of day (exclusive)
   */
  public record Schedule(ZoneId zone, Set<DayOfWeek> days, LocalTime start, LocalTime end) {

    public Schedule {
      days = Set.copyOf(days);
    }

    public boolean contains(Instant instant) {
      ZonedDateTime t = instant.atZone(zone);
      LocalTime time = t.toLocalTime();
      if (start.isBefore(end)) {
        return startsOn(t.getDayOfWeek()) && !time.isBefore(start) && time.isBefore(end);
      }
      // over midnight: either the evening part of a window that started today, or the morning part
      // of one that started yesterday
      return (startsOn(t.getDayOfWeek()) && !time.isBefore(start))
          || (startsOn(t.getDayOfWeek().minus(1)) && time.isBefore(end));
    }

    private boolean startsOn(DayOfWeek day) {
      return days.isEmpty() || days.contains(day);
    }
  }

  /** Whether this silence mutes an alert with these labels, for this receiver, at this instant. */
  public boolean mutes(String receiver, Map<String, String> labels, Instant now) {
    return appliesTo(receiver) && isActive(now) && Matcher.all(matchers, labels);
  }

  public boolean isActive(Instant now) {
    if (startsAt != null && now.isBefore(startsAt)) {
      return false;
    }
    if (endsAt != null && !now.isBefore(endsAt)) {
      return false;
    }
    return schedule == null || schedule.contains(now);
  }

  /** Whether the silence has ended for good (past its end). */
  public boolean isExpired(Instant now) {
    return endsAt != null && !now.isBefore(endsAt);
  }

  public boolean appliesTo(String receiver) {
    return receivers.isEmpty() || receivers.contains(receiver);
  }
}
