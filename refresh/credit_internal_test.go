package refresh

import (
	"testing"

	"github.com/partnerdesk/partnerdesk/credit"
)

// A sale counts towards the app usage on day exactly when its credit,
// twelve months long, still holds then: every day of seven years, leap
// days and month ends included, against every sale of the year before.
func TestSoldAfterIsWhereTwelveMonthsOfCreditEnd(t *testing.T) {
	for d := credit.MakeDate(2023, 1, 1); d < credit.MakeDate(2030, 1, 1); d++ {
		after := toCredit(soldAfter(toPD(d)))
		for s := d - 400; s <= d; s++ {
			if counts, holds := s > after, s.AddMonths(12) > d; counts != holds {
				t.Fatalf("on %s a sale of %s counts %v, but its credit holds %v", d, s, counts, holds)
			}
		}
	}
}
