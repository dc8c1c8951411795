package demo

import (
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// day is a civil date as a count of days since 1970-01-01; the generator
// does its calendar arithmetic on these, and converts at the edges.
type day int32

// dayOf is the civil date y-m-d as a day (Howard Hinnant's algorithm).
func dayOf(y int, m time.Month, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// civil is the inverse of dayOf.
func (z day) civil() (int, time.Month, int) {
	n := int(z) + 719468
	era := n / 146097
	if n < 0 && n%146097 != 0 {
		era--
	}
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := (mp+2)%12 + 1
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

func (z day) date() pd.Date {
	y, m, d := z.civil()
	return pd.NewDate(y, m, d)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addMonths moves to the same day of the month n months later, clamped to
// the month's end (Jan 31 + 1 month = Feb 28).
func (z day) addMonths(n int) day {
	y, m, d := z.civil()
	mm := int(m) - 1 + n
	y += mm / 12
	if mm %= 12; mm < 0 {
		mm += 12
		y--
	}
	return dayOf(y, time.Month(mm+1), min(d, daysIn(y, time.Month(mm+1))))
}

// nextAnniversary is the first day after today that is a whole number of
// months (step) after start.
func nextAnniversary(start, today day, step int) day {
	y0, m0, _ := start.civil()
	y1, m1, _ := today.civil()
	k := ((y1-y0)*12 + int(m1) - int(m0)) / step * step
	for {
		if a := start.addMonths(k); a > today {
			return a
		}
		k += step
	}
}

// clock turns local times of the program's time zone into instants
// without a zone lookup per event: business hours never straddle a
// daylight-saving change, so one offset per day (taken at noon) is exact.
type clock struct {
	first   day
	offsets []int32 // seconds east of UTC
}

func newClock(loc *time.Location, first, last day) *clock {
	c := &clock{first: first, offsets: make([]int32, last-first+1)}
	for z := first; z <= last; z++ {
		y, m, d := z.civil()
		_, off := time.Date(y, m, d, 12, 0, 0, 0, loc).Zone()
		c.offsets[z-first] = int32(off)
	}
	return c
}

// unix is the instant of local time sec (seconds after midnight) on z.
func (c *clock) unix(z day, sec int32) int64 {
	return int64(z)*86400 + int64(sec) - int64(c.offsets[z-c.first])
}
