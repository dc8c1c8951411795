package partnerdesk

import (
	"math/bits"
	"strings"
)

// The vendor's catalogue: five hubs, each in three editions. A product's
// and a tool's Bit is its stable position in the bitmasks stored on clients
// (products owned) and usage snapshots (tools in use): append, never reorder.

// Edition is a product edition, ordered by what it includes.
type Edition int

const (
	Starter Edition = iota + 1
	Professional
	Enterprise
)

func (e Edition) String() string {
	switch e {
	case Starter:
		return "Starter"
	case Professional:
		return "Professional"
	case Enterprise:
		return "Enterprise"
	}
	return ""
}

// Hubs in display order; "crm" is the free core every product includes.
var Hubs = []string{"marketing", "sales", "service", "operations", "content"}

// HubName is the display name of a hub or tool category.
func HubName(hub string) string {
	switch hub {
	case "crm":
		return "CRM basics"
	case "":
		return ""
	}
	return strings.ToUpper(hub[:1]) + hub[1:]
}

// Product is one hub × edition.
type Product struct {
	Code    string // e.g. "marketing-pro"
	Hub     string
	Edition Edition
	Bit     uint
}

// Name is the display name, e.g. "Marketing Professional".
func (p Product) Name() string { return HubName(p.Hub) + " " + p.Edition.String() }

// ShortName is the compact name used in tables, e.g. "Marketing Pro".
func (p Product) ShortName() string {
	ed := map[Edition]string{Starter: "Starter", Professional: "Pro", Enterprise: "Ent"}[p.Edition]
	return HubName(p.Hub) + " " + ed
}

// Mask is the product's bit in a product mask.
func (p Product) Mask() int64 { return 1 << p.Bit }

// Products is the catalogue, in display order.
var Products = func() []Product {
	var ps []Product
	suffix := map[Edition]string{Starter: "starter", Professional: "pro", Enterprise: "enterprise"}
	for i, hub := range Hubs {
		for e := Starter; e <= Enterprise; e++ {
			ps = append(ps, Product{Code: hub + "-" + suffix[e], Hub: hub, Edition: e, Bit: uint(i*3) + uint(e-1)})
		}
	}
	return ps
}()

// ProductByCode looks a product up by its code.
func ProductByCode(code string) (Product, bool) {
	for _, p := range Products {
		if p.Code == code {
			return p, true
		}
	}
	return Product{}, false
}

// ProductsIn returns the products whose bits are set in mask.
func ProductsIn(mask int64) []Product {
	var ps []Product
	for _, p := range Products {
		if mask&p.Mask() != 0 {
			ps = append(ps, p)
		}
	}
	return ps
}

// EmailSendLimit is the default monthly email send limit for a contact
// tier: ten times the contacts, five times for Starter.
func EmailSendLimit(e Edition, contacts int64) int64 {
	if e == Starter {
		return 5 * contacts
	}
	return 10 * contacts
}

// Tool is a feature of the platform whose use the engagement index counts.
type Tool struct {
	Code     string
	Name     string
	Category string  // a hub, or "crm"
	Edition  Edition // the lowest edition of the hub that includes it
	Bit      uint
}

// Mask is the tool's bit in a usage snapshot.
func (t Tool) Mask() int64 { return 1 << t.Bit }

// Tools is the catalogue of tools, in display order.
var Tools = func() []Tool {
	defs := []struct {
		cat  string
		ed   Edition
		code string
		name string
	}{
		{"crm", Starter, "contacts", "Contacts & companies"},
		{"crm", Starter, "deals", "Deals pipeline"},
		{"crm", Starter, "tasks", "Tasks"},
		{"crm", Starter, "email-tracking", "Email tracking"},
		{"crm", Starter, "meetings", "Meetings scheduler"},
		{"marketing", Starter, "forms", "Forms"},
		{"marketing", Starter, "email-marketing", "Marketing email"},
		{"marketing", Starter, "landing-pages", "Landing pages"},
		{"marketing", Professional, "social", "Social publishing"},
		{"marketing", Professional, "seo", "SEO recommendations"},
		{"marketing", Professional, "workflows", "Marketing workflows"},
		{"marketing", Enterprise, "abm", "Account-based marketing"},
		{"sales", Starter, "quotes", "Quotes"},
		{"sales", Starter, "calling", "Calling"},
		{"sales", Professional, "sequences", "Sequences"},
		{"sales", Professional, "forecasting", "Forecasting"},
		{"sales", Enterprise, "playbooks", "Playbooks"},
		{"service", Starter, "tickets", "Tickets"},
		{"service", Starter, "live-chat", "Live chat"},
		{"service", Professional, "knowledge-base", "Knowledge base"},
		{"service", Professional, "surveys", "Feedback surveys"},
		{"service", Enterprise, "service-automation", "Help desk automation"},
		{"operations", Starter, "data-sync", "Data sync"},
		{"operations", Professional, "data-quality", "Data quality"},
		{"operations", Professional, "custom-code", "Programmable automation"},
		{"operations", Enterprise, "datasets", "Datasets"},
		{"content", Starter, "website-pages", "Website pages"},
		{"content", Starter, "blog", "Blog"},
		{"content", Professional, "ab-testing", "A/B testing"},
		{"content", Enterprise, "memberships", "Memberships"},
	}
	ts := make([]Tool, len(defs))
	for i, d := range defs {
		ts[i] = Tool{Code: d.code, Name: d.name, Category: d.cat, Edition: d.ed, Bit: uint(i)}
	}
	return ts
}()

// ToolsIn returns the tools whose bits are set in mask.
func ToolsIn(mask int64) []Tool {
	var ts []Tool
	for _, t := range Tools {
		if mask&t.Mask() != 0 {
			ts = append(ts, t)
		}
	}
	return ts
}

// IncludedTools is the mask of tools included in the products of
// productMask: the CRM basics with any product, and each hub's tools up to
// the highest edition owned of that hub.
func IncludedTools(productMask int64) int64 {
	if productMask == 0 {
		return 0
	}
	// The best edition owned per category: [0] is the CRM basics, then
	// the hubs in order. No allocation: refreshes call this per client.
	var best [8]Edition
	best[0] = Enterprise
	for _, p := range Products {
		if i := categoryIndex(p.Hub); productMask&p.Mask() != 0 && p.Edition > best[i] {
			best[i] = p.Edition
		}
	}
	var m int64
	for _, t := range Tools {
		if t.Edition <= best[categoryIndex(t.Category)] {
			m |= t.Mask()
		}
	}
	return m
}

func categoryIndex(cat string) int {
	for i, h := range Hubs {
		if h == cat {
			return i + 1
		}
	}
	return 0
}

// EngagementScore is EngagementIndex(productMask, toolsInUse).Index
// without the breakdown, for code that scores many clients.
func EngagementScore(productMask, toolsInUse int64) int {
	inc := IncludedTools(productMask)
	return engagementScore(bits.OnesCount64(uint64(inc&toolsInUse)), bits.OnesCount64(uint64(inc)))
}

// engagementScore is round(10 × used / included), rounding half up in
// integers so that the figure is exact.
func engagementScore(used, included int) int {
	if included == 0 {
		return 0
	}
	return (20*used + included) / (2 * included)
}

// Bucket of the engagement index.
const (
	BucketLow    = "low"
	BucketMedium = "medium"
	BucketHigh   = "high"
)

// Buckets in display order.
var Buckets = []string{BucketLow, BucketMedium, BucketHigh}

// EngagementBucket maps an index 0–10 to Low (0–3), Medium (4–6) or High (7–10).
func EngagementBucket(index int) string {
	switch {
	case index <= 3:
		return BucketLow
	case index <= 6:
		return BucketMedium
	}
	return BucketHigh
}

// CategoryUse is one line of an engagement breakdown.
type CategoryUse struct {
	Category string
	Used     int
	Included int
	Tools    []ToolUse
}

// ToolUse says whether an included tool is in use.
type ToolUse struct {
	Tool
	InUse bool
}

// Engagement is a client's platform engagement index and its breakdown.
type Engagement struct {
	Index     int // 0–10
	Used      int // included tools in use
	Included  int
	Breakdown []CategoryUse
}

// Bucket is the index's bucket.
func (e Engagement) Bucket() string { return EngagementBucket(e.Index) }

// EngagementIndex scores a client 0–10 by the share of the tools included in
// its subscriptions that it uses: round(10 × used / included), rounding half
// up in integers so the figure is exact. Tools in use but not included do not
// count. Breakdown lists each category with included tools.
func EngagementIndex(productMask, toolsInUse int64) Engagement {
	inc := IncludedTools(productMask)
	used := inc & toolsInUse
	e := Engagement{Used: bits.OnesCount64(uint64(used)), Included: bits.OnesCount64(uint64(inc))}
	e.Index = engagementScore(e.Used, e.Included)
	for _, cat := range append([]string{"crm"}, Hubs...) {
		var cu CategoryUse
		for _, t := range Tools {
			if t.Category != cat || inc&t.Mask() == 0 {
				continue
			}
			cu.Category = cat
			cu.Included++
			in := used&t.Mask() != 0
			if in {
				cu.Used++
			}
			cu.Tools = append(cu.Tools, ToolUse{Tool: t, InUse: in})
		}
		if cu.Included > 0 {
			e.Breakdown = append(e.Breakdown, cu)
		}
	}
	return e
}
