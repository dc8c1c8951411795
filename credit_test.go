package partnerdesk

import (
	"testing"
)

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func month(s string) Date {
	m, err := ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Three clients' histories with one partner (the worked example's p7).
func histories() []ClientCredit {
	return []ClientCredit{
		{ClientID: 1, Name: "northwind", Movements: []CreditMovement{
			{Day: day("2025-01-20"), Kind: MoveNew, Amount: 89000}, {Day: day("2025-04-02"), Kind: MoveUpgraded, Amount: 2000},
			{Day: day("2025-07-15"), Kind: MoveDecreased, Amount: 44000}, {Day: day("2026-07-15"), Kind: MoveExpired, Amount: 47000}}},
		{ClientID: 2, Name: "globex", Movements: []CreditMovement{
			{Day: day("2025-02-10"), Kind: MoveNew, Amount: 30000}, {Day: day("2025-05-31"), Kind: MoveLost, Amount: 30000},
			{Day: day("2025-10-01"), Kind: MoveReturning, Amount: 1500}}, Credit: 1500, Expires: day("2026-10-01")},
		{ClientID: 3, Name: "initech", Movements: []CreditMovement{
			{Day: day("2025-03-03"), Kind: MoveNew, Amount: 40000}, {Day: day("2025-06-06"), Kind: MoveTransferred, Amount: 40000}}},
	}
}

func TestBreakdownCutsMovementsByPeriod(t *testing.T) {
	b := BreakdownOf(Period{month("2025-04"), month("2025-10")}, histories())
	want := CreditMonth{Month: month("2025-04"), Opening: 159000, New: 0, Upgraded: 3500, Decreased: 44000, ExpiredLost: 70000, Closing: 48500}
	if b.CreditMonth != want {
		t.Errorf("flows %+v, want %+v", b.CreditMonth, want)
	}
	if b.Opening+b.New+b.Upgraded-b.Decreased-b.ExpiredLost != b.Closing {
		t.Error("closing != opening + flows")
	}
	names := func(ls []CreditLine) (out []string) {
		for _, l := range ls {
			out = append(out, l.Name)
		}
		return out
	}
	if got := names(b.Total); len(got) != 2 || got[0] != "northwind" || got[1] != "globex" {
		t.Errorf("Total: %v", got)
	}
	if got := names(b.Won); len(got) != 2 {
		t.Errorf("Won: %v, want northwind (upgrade) and globex (returning)", got)
	}
	if got := names(b.Lost); len(got) != 3 {
		t.Errorf("Lost: %v, want all three", got)
	}
	for _, l := range b.Lost {
		if l.Name == "initech" && (!l.Transferred || l.Expired != 40000) {
			t.Errorf("initech's loss: %+v", l)
		}
	}
	SortCreditLines(b.Lost, "lost", "amount", true)
	if b.Lost[0].Name != "northwind" || b.Lost[0].Lost() != 44000 {
		t.Errorf("Lost by amount, largest first: %v", names(b.Lost))
	}
	SortCreditLines(b.Lost, "lost", "client", false)
	if got := names(b.Lost); got[0] != "globex" || got[2] != "northwind" {
		t.Errorf("Lost by name: %v", got)
	}
}

func TestMovementsInAMonthAndExpiringCredit(t *testing.T) {
	ms := MovementsIn(month("2025-06"), histories())
	if len(ms) != 1 || ms[0].Name != "initech" || ms[0].Net != -40000 {
		t.Errorf("June 2025: %+v", ms)
	}
	exp := ExpiringSoon(day("2026-08-20"), 3, histories())
	if len(exp) != 3 || exp[0].Amount != 0 || exp[2].Amount != 1500 || len(exp[2].Clients) != 1 || exp[2].Month != month("2026-10") {
		t.Errorf("expiring from August 2026: %+v", exp)
	}
}
