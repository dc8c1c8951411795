package credit

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
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

// ReadLinks reads confirmed links, one JSON object a line ({"id",
// "partner", "client", "products": [...], "from", "to"}, days as
// YYYY-MM-DD; blank lines skipped), for Replay.
func ReadLinks(r io.Reader) ([]Link, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxLine)
	var out []Link
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var raw struct {
			ID, Partner, Client, From, To string
			Products                      []string
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, &LineError{Line: n, Err: err}
		}
		from, err1 := ParseDate(raw.From)
		to, err2 := ParseDate(raw.To)
		switch {
		case raw.ID == "" || raw.Partner == "" || raw.Client == "" || len(raw.Products) == 0:
			return nil, &LineError{Line: n, Err: fmt.Errorf("%w: a link needs an id, a partner, a client and products", ErrInvalid)}
		case err1 != nil || err2 != nil || to < from:
			return nil, &LineError{Line: n, Err: fmt.Errorf("%w: a link's from and to are days, YYYY-MM-DD, from first", ErrInvalid)}
		}
		out = append(out, Link{ID: raw.ID, Partner: raw.Partner, Client: raw.Client, Products: raw.Products, From: from, To: to})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	return out, nil
}

// linked credits ev, an event of client ci on day read by Replay, through
// a link when its partner is NoPartner (Add does it in event).
func (l *Ledger) linked(ci int32, day Date, ev dayEvent) dayEvent {
	if len(l.links.byClient) == 0 || l.partners.list[ev.partner] != NoPartner {
		return ev
	}
	p, link := l.links.credit(l.clients[ci].name, l.products.list[ev.product], day, NoPartner)
	ev.partner, ev.link = l.partners.intern(p), link
	return ev
}
