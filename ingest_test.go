package partnerdesk

import "testing"

// A record's text that is not UTF-8 is a problem of its field, whatever
// door it came in by.
func TestChecksRefuseTextThatIsNotUTF8(t *testing.T) {
	cases := []struct {
		ps    []Problem
		field string
	}{
		{(&PartnerRecord{ID: "p-1", Name: "Caf\xe9"}).Check(3), "name"},
		{(&ClientRecord{ID: "acct-\xff", Name: "X"}).Check(3), "id"},
		{(&StaffRecord{ID: "st-1", Name: "X", Email: "x\xff@vendor.test", Role: RolePartnerManager}).Check(3), "email"},
	}
	for _, c := range cases {
		if len(c.ps) != 1 || c.ps[0] != NotUTF8(3, c.field) {
			t.Errorf("%s: %+v", c.field, c.ps)
		}
	}
}
