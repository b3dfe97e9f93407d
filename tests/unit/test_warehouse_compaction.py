"""etl.warehouse.compaction.ranges_to_repack: which rows at a table's end are moved."""

from __future__ import annotations

from etl.warehouse.compaction import ranges_to_repack

G = 122_880


def test_the_layout_a_million_postings_left_moves_its_two_part_filled_groups() -> None:
    # core.vacancies after the 1M benchmark's three sources (one checkpointed step each).
    stored = [G, 116_496, G, G, G, G, 29_213, G, 116_950]
    start = sum(stored[:6])
    assert ranges_to_repack(stored) == [(start, start + 29_213),
                                        (start + 29_213 + G, start + 29_213 + G + 116_950)]


def test_nothing_to_move_when_only_the_last_group_is_part_filled() -> None:
    assert ranges_to_repack([G, G, G, 23_283]) == []
    assert ranges_to_repack([G, 116_496, G, G, G, 500]) == []  # 116,496 lies outside the window
    assert ranges_to_repack([5_000]) == []
    assert ranges_to_repack([]) == []


def test_neighbouring_part_filled_groups_are_one_range() -> None:
    # Three small daily appends after a full group: all moved together, as one range.
    assert ranges_to_repack([G, G, 2_765, 2_382, 700]) == [(2 * G, 2 * G + 2_765 + 2_382 + 700)]


def test_a_full_last_group_stays_where_it_is() -> None:
    assert ranges_to_repack([G, 40_000, G]) == [(G, G + 40_000)]


def test_the_window_follows_the_group_size_and_its_width() -> None:
    stored = [100, 50, 100, 100, 60]
    assert ranges_to_repack(stored, group_rows=100, window_groups=3) == []  # 50 is too far back
    assert ranges_to_repack(stored, group_rows=100, window_groups=4) == [(100, 150), (350, 410)]
