package partnerdesk

import (
	"errors"
	"strings"
	"testing"
)

// A load lists its first MaxProblems problems by record, whatever the
// order they were found in (the store finds conflicts after field
// problems), and counts them all.
func TestProblemListKeepsTheFirstByRecordAndCountsAll(t *testing.T) {
	var l ProblemList
	if l.Err() != nil {
		t.Fatal("no problems, yet an error")
	}
	// Records 5000…1 have a field problem each, then records 0…4999 a
	// conflict, the way batches of a CSV file come in.
	for i := 5000; i > 0; i-- {
		l.Add(Problem{Index: i, Field: "name", Code: EInvalid})
	}
	for i := range 5000 {
		l.Add(Problem{Index: i, Field: "id", Code: EConflict})
	}
	var be *BatchError
	if !errors.As(l.Err(), &be) || be.Count() != 10000 || len(be.Problems) != MaxProblems || ErrorCode(l.Err()) != EUnprocessable {
		t.Fatalf("%v", l.Err())
	}
	want := []Problem{{Index: 0, Field: "id"}, {Index: 1, Field: "name"}, {Index: 1, Field: "id"}, {Index: 2, Field: "name"}}
	for i, w := range want {
		if p := be.Problems[i]; p.Index != w.Index || p.Field != w.Field {
			t.Errorf("problem %d: %+v, want record %d, %s", i, p, w.Index, w.Field)
		}
	}
	if last := be.Problems[MaxProblems-1]; last.Index != 500 || last.Field != "name" {
		t.Errorf("last problem listed: %+v", last)
	}
}

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

// Lengths are counted in characters, as the API document's maxLength
// counts them: a name of MaxTextLen accented letters (twice as many bytes)
// passes, one more does not; ids likewise at MaxIDLen.
func TestLengthsAreCountedInCharacters(t *testing.T) {
	for _, c := range []struct {
		id, name string
		want     string // the field with a problem, or ""
	}{
		{strings.Repeat("é", MaxIDLen), strings.Repeat("é", MaxTextLen), ""},
		{"p-1", strings.Repeat("é", MaxTextLen+1), "name"},
		{strings.Repeat("é", MaxIDLen+1), "Name", "id"},
	} {
		r := PartnerRecord{ID: c.id, Name: c.name}
		ps := r.Check(0)
		got := ""
		for _, p := range ps {
			got = p.Field
		}
		if got != c.want {
			t.Errorf("id of %d characters, name of %d: problems %v, want one on %q", len([]rune(c.id)), len([]rune(c.name)), ps, c.want)
		}
	}
}
