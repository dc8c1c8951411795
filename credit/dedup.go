package credit

import (
	"encoding/binary"
	"hash/maphash"
)

// idSet remembers every event id seen, to count a re-delivered event once
// and to refuse an id reused for different content. Ids and contents are
// kept as 64-bit hashes in an open-addressing table: 16 bytes per id (21
// to 43 with the table's slack) instead of the id, the event and a map
// entry. Two different ids share a hash with odds of about n²/2⁶⁵ (3·10⁻⁸
// for a million ids); such a collision shows as a false ErrConflict, never
// as a silently dropped event, unless the contents' hashes collide too.
type idSet struct {
	seed  maphash.Seed
	h     maphash.Hash
	slots []idSlot // id and content side by side: one cache miss a probe
	count int
}

type idSlot struct{ id, sum uint64 } // id 0 marks an empty slot

func newIDSet() idSet {
	s := idSet{seed: maphash.MakeSeed(), slots: make([]idSlot, 1024)}
	s.h.SetSeed(s.seed)
	return s
}

func (s *idSet) idBytes(id []byte) uint64  { return nonZero(maphash.Bytes(s.seed, id)) }
func (s *idSet) idString(id string) uint64 { return nonZero(maphash.String(s.seed, id)) }

// nonZero keeps 0 free to mark empty slots.
func nonZero(h uint64) uint64 { return max(h, 1) }

func (s *idSet) contentStart(at, mrr int64) {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(at))
	binary.LittleEndian.PutUint64(b[8:], uint64(mrr))
	s.h.Reset()
	s.h.Write(b[:])
}

func (s *idSet) writeLen(n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	s.h.Write(b[:])
}

// contentBytes and contentString hash the same fields the same way; the
// lengths keep "ab"+"c" apart from "a"+"bc".
func (s *idSet) contentBytes(at, mrr int64, partner, client, product []byte) uint64 {
	s.contentStart(at, mrr)
	for _, f := range [...][]byte{partner, client, product} {
		s.writeLen(len(f))
		s.h.Write(f)
	}
	return s.h.Sum64()
}

func (s *idSet) contentString(at, mrr int64, partner, client, product string) uint64 {
	s.contentStart(at, mrr)
	for _, f := range [...]string{partner, client, product} {
		s.writeLen(len(f))
		s.h.WriteString(f)
	}
	return s.h.Sum64()
}

// add records id with its content hash. It reports dup when the id was
// seen with the same content, and ErrConflict when with another.
func (s *idSet) add(id, sum uint64) (dup bool, err error) {
	if 4*(s.count+1) > 3*len(s.slots) {
		s.grow()
	}
	sl := s.probe(id)
	if sl.id == 0 {
		*sl = idSlot{id, sum}
		s.count++
		return false, nil
	}
	return s.lookup(id, sum)
}

// lookup is add without recording id.
func (s *idSet) lookup(id, sum uint64) (dup bool, err error) {
	switch sl := s.probe(id); {
	case sl.id == 0:
		return false, nil
	case sl.sum != sum:
		return false, ErrConflict
	}
	return true, nil
}

// probe returns id's slot, or the empty slot where it would go.
func (s *idSet) probe(id uint64) *idSlot {
	mask := uint64(len(s.slots) - 1)
	i := id & mask
	for s.slots[i].id != 0 && s.slots[i].id != id {
		i = (i + 1) & mask
	}
	return &s.slots[i]
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]idSlot, 2*len(old))
	for _, sl := range old {
		if sl.id != 0 {
			*s.probe(sl.id) = sl
		}
	}
}
