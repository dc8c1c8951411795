package partnerdesk

// The preview of a change of the tier rules: every partner's performance
// tier under the rules in force and under the proposed ones, from the
// figures of the last daily refresh. It only applies rules in memory, so
// that a program of ten thousand partners is previewed at once.

// PartnerFigures are a partner's tier figures from the last daily refresh.
type PartnerFigures struct {
	PartnerID  int64
	ExternalID string
	Name       string
	Assigned   string // its assigned tier's code
	Performance
}

// PreviewLine is one partner in a preview.
type PreviewLine struct {
	*PartnerFigures
	Today, Proposed Tier // its performance tier under the rules in force, and under the proposed ones
}

// Move is +1 when the proposed rules promote the partner, -1 when they
// demote it, 0 otherwise.
func (l PreviewLine) Move() int {
	switch {
	case l.Proposed.Rank > l.Today.Rank:
		return 1
	case l.Proposed.Rank < l.Today.Rank:
		return -1
	}
	return 0
}

// PreviewTier is one tier's counts in a preview.
type PreviewTier struct {
	Tier            Tier // as the proposed rules name it
	Today, Proposed int  // partners at it under either rules
	// Promoted and Demoted count the partners at it today whom the
	// proposed rules move up or down.
	Promoted, Demoted int
}

// TierPreview compares every partner's performance tier under two sets of
// rules.
type TierPreview struct {
	Lines             []PreviewLine // every partner, in the order given
	Tiers             []PreviewTier // by rank
	Promoted, Demoted int
}

// Changed is the partners whose tier the proposed rules change, in order.
func (p *TierPreview) Changed() []PreviewLine {
	var out []PreviewLine
	for _, l := range p.Lines {
		if l.Move() != 0 {
			out = append(out, l)
		}
	}
	return out
}

// PreviewTiers judges each partner's figures by current and by proposed.
// Both must have the same tiers (by rank).
func PreviewTiers(current, proposed TierPolicy, partners []PartnerFigures) *TierPreview {
	p := &TierPreview{Lines: make([]PreviewLine, len(partners)), Tiers: make([]PreviewTier, len(proposed.Tiers))}
	byRank := map[int]*PreviewTier{}
	for i, t := range proposed.Tiers {
		p.Tiers[i].Tier = t
		byRank[t.Rank] = &p.Tiers[i]
	}
	at := func(rank int) *PreviewTier {
		if t, ok := byRank[rank]; ok {
			return t
		}
		return &PreviewTier{}
	}
	for i := range partners {
		f := &partners[i]
		l := PreviewLine{PartnerFigures: f, Today: current.PerformanceTier(f.Performance), Proposed: proposed.PerformanceTier(f.Performance)}
		p.Lines[i] = l
		at(l.Today.Rank).Today++
		at(l.Proposed.Rank).Proposed++
		switch l.Move() {
		case 1:
			p.Promoted++
			at(l.Today.Rank).Promoted++
		case -1:
			p.Demoted++
			at(l.Today.Rank).Demoted++
		}
	}
	return p
}
