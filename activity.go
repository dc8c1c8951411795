package partnerdesk

import "strings"

// ActivityRecord is what one of a partner's users did in a client's
// account on a day, as the vendor's usage feed reports it: the work is
// attributed to the user's partner, which must be one of the client's.
type ActivityRecord struct {
	Client  string `json:"client"`
	Day     Date   `json:"day"`
	User    string `json:"user"` // the user's email
	Actions int    `json:"actions"`
}

// Check returns the record's problems, at index i.
func (r *ActivityRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("client", r.Client, true)
	c.date("day", r.Day, true)
	c.id("user", r.User, true)
	if r.User != "" && !strings.Contains(r.User, "@") {
		c.fail("user", "must be a user's email address")
	}
	c.rangeOf("actions", int64(r.Actions), 0, MaxCount)
	return c.ps
}

// PersonActivity is the work of one of a partner's people in a client's
// account (the client panel's Portal usage tab).
type PersonActivity struct {
	Name    string
	Email   string
	Last    Date // the last day it was reported
	Days    int  // the days it worked in the account in the window
	Actions int64
}

// ActivityWindowDays is how far back the client panel sums people's
// activity.
const ActivityWindowDays = 90
