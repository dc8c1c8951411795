package credit

import (
	"cmp"
	"slices"
	"strings"
)

// NoPartner is the partner of an event that credits none. A confirmed
// Link may credit such an event to the link's partner; an event that
// names a partner always keeps it (docs/credit.md, rule 9).
const NoPartner = "-"

// Link is a client's confirmation that Partner sold it Products: the
// client's events without a partner for those products, on days From
// through To, are credited to Partner.
type Link struct {
	ID       string
	Partner  string
	Client   string
	Products []string
	From, To Date // both included
}

// linkIndex finds the link that credits an event without a partner.
type linkIndex struct {
	byClient map[string][]Link // each client's, by From then ID
	ids      names             // the links' ids, interned for dayEvent.link
}

func newLinkIndex(links []Link) linkIndex {
	ix := linkIndex{byClient: map[string][]Link{}, ids: newNames()}
	for _, l := range links {
		ix.byClient[l.Client] = append(ix.byClient[l.Client], l)
	}
	for _, ls := range ix.byClient {
		slices.SortFunc(ls, func(a, b Link) int { return cmp.Or(cmp.Compare(a.From, b.From), strings.Compare(a.ID, b.ID)) })
	}
	return ix
}

// credit returns the partner and link that an event of client for
// product on day is credited to: partner itself unless it is NoPartner
// and a link covers the event (the earliest confirmed, when several do),
// in which case the link's partner. link is the link's index + 1, 0 when
// none applies (the zero dayEvent has no link).
func (ix *linkIndex) credit(client, product string, day Date, partner string) (string, int32) {
	if partner != NoPartner {
		return partner, 0
	}
	for _, l := range ix.byClient[client] {
		if l.From <= day && day <= l.To && slices.Contains(l.Products, product) {
			return l.Partner, ix.ids.intern(l.ID) + 1
		}
	}
	return partner, 0
}

// name is the id of the link numbered i by credit, "" for none.
func (ix *linkIndex) name(i int32) string {
	if i == 0 {
		return ""
	}
	return ix.ids.list[i-1]
}
