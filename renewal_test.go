package partnerdesk

import (
	"strings"
	"testing"
)

func TestRenewalRules(t *testing.T) {
	// Day counts hold across a year end and a leap day.
	for _, today := range []Date{NewDate(2026, 11, 27), NewDate(2026, 12, 31), NewDate(2028, 2, 29)} {
		t.Run(today.String(), func(t *testing.T) { renewalRules(t, today) })
	}
}

func renewalRules(t *testing.T, today Date) {
	r := func(days int, status string, auto bool) Renewal {
		date := today.AddDays(days)
		return Renewal{RenewalDate: date, Deadline: DecisionDeadline(date, 45), Status: status, AutoRenew: auto,
			Owner: OwnerPartner, OwnerPartnerID: 1, ContractType: ContractRenewal}
	}
	cases := []struct {
		name                      string
		r                         Renewal
		open, overdue, autoRenews bool
	}{
		{"deadline tomorrow", r(46, RenewalPending, true), true, false, false},
		{"deadline today: still time", r(45, RenewalPending, true), true, false, false},
		{"deadline passed", r(44, RenewalPending, true), true, true, true},
		{"deadline passed, no auto-renew", r(44, RenewalPending, false), true, true, false},
		{"renews today", r(0, RenewalPending, false), true, true, false},
		{"date passed", r(-1, RenewalPending, true), false, true, true},
		{"decided", r(10, RenewalConfirmed, true), false, false, false},
	}
	for _, c := range cases {
		if c.r.Open(today) != c.open || c.r.Overdue(today) != c.overdue || c.r.AutoRenews(today) != c.autoRenews {
			t.Errorf("%s: open %v overdue %v auto-renews %v", c.name, c.r.Open(today), c.r.Overdue(today), c.r.AutoRenews(today))
		}
	}
	if d := r(50, RenewalPending, true); d.DaysToDeadline(today) != 5 || !d.PartnerDecides(1, today) {
		t.Errorf("days to deadline %d", d.DaysToDeadline(today))
	}
	if d := r(50, RenewalPending, true); d.PartnerDecides(2, today) {
		t.Error("another partner of the client decides the owner's renewal")
	}
	if d := r(50, RenewalPending, true); func() bool { d.Owner, d.OwnerPartnerID = OwnerVendor, 0; return d.PartnerDecides(1, today) }() {
		t.Error("the partner decides a vendor-owned renewal")
	}
	for _, c := range []struct {
		contract string
		want     string
	}{{ContractRenewal, "renewed cancellation_requested"}, {ContractTierUpgrade, "confirmed cancellation_requested"},
		{ContractEmailOverage, "confirmed cancellation_requested"}} {
		rr := Renewal{ContractType: c.contract}
		if got := strings.Join(rr.Decisions(), " "); got != c.want || rr.Allows("pending") {
			t.Errorf("%s: decisions %s", c.contract, got)
		}
	}
	for _, c := range []struct {
		date  Date
		in    bool
		label string
	}{{today, true, "today"}, {today.AddDays(120), true, "the horizon's last day"}, {today.AddDays(121), false, "beyond"}, {today.AddDays(-1), false, "passed"}} {
		if InHorizon(c.date, today, 120) != c.in {
			t.Errorf("%s: in horizon %v", c.label, !c.in)
		}
	}
	if r := (Renewal{CurrentContacts: 2000}); r.NewContacts() != 2000 {
		t.Error("unchanged contact tier")
	}
	if r := (Renewal{CurrentContacts: 2000, ProposedContacts: 5000}); r.NewContacts() != 5000 {
		t.Error("upgraded contact tier")
	}
}

// Only the partner that owns a renewal's communication changes its owner,
// or any partner of the client while the vendor owns it and the client's
// setting gives it to no other partner.
func TestOwnerChangeableOnlyByTheOwningPartner(t *testing.T) {
	const alpha, beta = 1, 2
	detail := func(owner string, ownerID, setting int64) RenewalDetail {
		return RenewalDetail{Renewal: Renewal{Owner: owner, OwnerPartnerID: ownerID}, SettingPartnerID: setting}
	}
	for _, c := range []struct {
		name        string
		d           RenewalDetail
		alpha, beta bool
	}{
		{"Alpha owns it", detail(OwnerPartner, alpha, alpha), true, false},
		{"the vendor owns it, the client follows no partner", detail(OwnerVendor, 0, 0), true, true},
		{"the vendor owns this one, the client's setting gives Beta the rest", detail(OwnerVendor, 0, beta), false, true},
		{"Alpha owns this one, the client's setting gives Beta the rest", detail(OwnerPartner, alpha, beta), false, false},
		{"a partner owner without a partner", detail(OwnerPartner, 0, 0), false, false},
	} {
		if c.d.OwnerChangeableBy(alpha) != c.alpha || c.d.OwnerChangeableBy(beta) != c.beta || c.d.OwnerChangeableBy(0) {
			t.Errorf("%s: Alpha %v, Beta %v; want %v, %v", c.name, c.d.OwnerChangeableBy(alpha), c.d.OwnerChangeableBy(beta), c.alpha, c.beta)
		}
	}
	if (Renewal{Owner: OwnerPartner}).OwnedBy(0) {
		t.Error("no partner owns a partner-owned renewal")
	}
}

func TestProgramCommOwner(t *testing.T) {
	for _, c := range []struct{ def, setting, want string }{
		{"", "", OwnerVendor}, {OwnerVendor, OwnerDefault, OwnerVendor}, {OwnerPartner, OwnerDefault, OwnerPartner},
		{OwnerPartner, OwnerVendor, OwnerVendor}, {OwnerVendor, OwnerPartner, OwnerPartner},
	} {
		if got := (Program{DefaultCommOwner: c.def}).CommOwner(c.setting); got != c.want {
			t.Errorf("default %q, setting %q: %s, want %s", c.def, c.setting, got, c.want)
		}
	}
}

func TestRenewalFilterValidate(t *testing.T) {
	var f RenewalFilter
	if err := f.Validate(); err != nil || f.Sort != "date" || f.Desc || f.Limit != 50 {
		t.Errorf("defaults: %+v %v", f, err)
	}
	for _, bad := range []RenewalFilter{{Sort: "id; DROP"}, {Status: "won"}, {Owner: "me"}, {Type: "x"}, {Bucket: "x"},
		{HasDeadline: true, DeadlineWithin: MaxDeadlineDays + 1}, {Offset: -1}, {Limit: 501}, {Query: strings.Repeat("q", MaxQueryLen+1)}} {
		if err := bad.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestStaffValidate(t *testing.T) {
	ok := Staff{Name: " Maya ", Email: "Maya@Vendor.test", Role: RolePartnerManager, PhotoURL: "https://img.example/m.png"}
	if err := ok.Validate(); err != nil || ok.Name != "Maya" || ok.Email != "maya@vendor.test" {
		t.Errorf("%+v %v", ok, err)
	}
	for _, photo := range []string{"/static/maya.png", ""} {
		s := ok
		s.PhotoURL = photo
		if err := s.Validate(); err != nil {
			t.Errorf("photo %q: %v", photo, err)
		}
	}
	for _, bad := range []func(*Staff){
		func(s *Staff) { s.Name = "" }, func(s *Staff) { s.Email = "maya" }, func(s *Staff) { s.Email = "Maya <maya@vendor.test>" },
		func(s *Staff) { s.Role = RolePartnerAdmin }, func(s *Staff) { s.PhotoURL = "data:image/png;base64,AAAA" },
		func(s *Staff) { s.PhotoURL = "http://img.example/m.png" }, func(s *Staff) { s.Description = strings.Repeat("d", 1001) },
	} {
		s := ok
		bad(&s)
		if err := s.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("%+v: %v", s, err)
		}
	}
	if (Staff{Name: "Ada lovelace"}).Initials() != "AL" {
		t.Error("initials")
	}
}
