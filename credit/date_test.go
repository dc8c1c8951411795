package credit

import (
	"testing"
	"time"
)

func TestAddMonthsKeepsTheDayAndClampsToTheMonthEnd(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2025-04-02", 12, "2026-04-02"},
		{"2024-02-29", 12, "2025-02-28"}, // the example of docs/credit.md, rule 4
		{"2024-02-29", 48, "2028-02-29"},
		{"2025-01-31", 1, "2025-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2025-03-31", 1, "2025-04-30"},
		{"2025-12-15", 1, "2026-01-15"},
		{"2025-10-31", 4, "2026-02-28"},
	} {
		d, _ := ParseDate(tc.from)
		if got := d.AddMonths(tc.months).String(); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

func TestDateOfUsesTheProgramTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := time.Date(2025, 1, 31, 23, 30, 0, 0, time.UTC)
	if got := DateOf(at, time.UTC).String(); got != "2025-01-31" {
		t.Errorf("UTC day = %s", got)
	}
	if got := DateOf(at, paris).String(); got != "2025-02-01" {
		t.Errorf("Paris day = %s", got)
	}
	before1970 := time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC)
	if got := DateOf(before1970, time.UTC).String(); got != "1969-12-31" {
		t.Errorf("day before the epoch = %s", got)
	}
}

func TestMonthBoundsAndParsing(t *testing.T) {
	m, err := ParseMonth("2024-02")
	if err != nil {
		t.Fatal(err)
	}
	if m.First().String() != "2024-02-01" || m.Last().String() != "2024-02-29" || m.Days() != 29 {
		t.Errorf("2024-02: first %s last %s days %d", m.First(), m.Last(), m.Days())
	}
	if (m+11).String() != "2025-01" || MakeDate(2025, 1, 20).Month() != m+11 {
		t.Errorf("month arithmetic: %s", m+11)
	}
	for _, bad := range []string{"2024-13", "2024", "24-01", ""} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) succeeded", bad)
		}
	}
}

func TestDateArithmeticAgreesWithTheTimePackage(t *testing.T) {
	for day := MakeDate(1600, 1, 1); day <= MakeDate(2400, 12, 31); day += 7 {
		tm := time.Unix(int64(day)*86400, 0).UTC()
		y, m, d := day.Civil()
		if y != tm.Year() || m != tm.Month() || d != tm.Day() {
			t.Fatalf("%d: Civil = %d-%d-%d, time says %s", day, y, m, d, tm)
		}
		if MakeDate(y, m, d) != day || MakeDate(y, m+13, d-40) != DateOf(time.Date(y, m+13, d-40, 0, 0, 0, 0, time.UTC), time.UTC) {
			t.Fatalf("MakeDate(%d, %d, %d) disagrees with time.Date", y, m, d)
		}
	}
}
