package credit

import "hash/maphash"

// clientIndex finds a client's state by name. Streaming a time-ordered
// file looks up a different client on every line, so the lookup is a race
// of cache misses: a map[string]int32 misses on its slot and again on the
// key's bytes. Here a slot holds the name's hash and the index, and a
// short name is compared against a copy kept in the client's own state,
// which the ledger reads next anyway.
type clientIndex struct {
	seed  maphash.Seed
	slots []clientSlot
	count int
}

type clientSlot struct {
	hash uint64
	ci   int32 // index + 1; 0 marks an empty slot
}

// shortName is how many bytes of a name clientState keeps inline.
const shortName = 24

func newClientIndex() clientIndex {
	return clientIndex{seed: maphash.MakeSeed(), slots: make([]clientSlot, 1024)}
}

// find returns the index of the client named name, or -1 and the hash to
// pass to insert.
func (x *clientIndex) find(clients []clientState, name []byte) (int32, uint64) {
	h := maphash.Bytes(x.seed, name)
	return lookup(x, clients, name, h), h
}

// findString is find for a string: maphash.String and maphash.Bytes agree.
func (x *clientIndex) findString(clients []clientState, name string) (int32, uint64) {
	h := maphash.String(x.seed, name)
	return lookup(x, clients, name, h), h
}

func lookup[T string | []byte](x *clientIndex, clients []clientState, name T, h uint64) int32 {
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.ci == 0 {
			return -1
		}
		if s.hash == h && is(&clients[s.ci-1], name) {
			return s.ci - 1
		}
	}
}

func (x *clientIndex) insert(h uint64, ci int32) {
	if 4*(x.count+1) > 3*len(x.slots) {
		old := x.slots
		x.slots = make([]clientSlot, 2*len(old))
		for _, s := range old {
			if s.ci != 0 {
				x.place(s)
			}
		}
	}
	x.place(clientSlot{h, ci + 1})
	x.count++
}

func (x *clientIndex) place(s clientSlot) {
	mask := uint64(len(x.slots) - 1)
	i := s.hash & mask
	for x.slots[i].ci != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

func is[T string | []byte](c *clientState, name T) bool {
	if len(name) != len(c.name) {
		return false
	}
	if len(name) <= shortName {
		return string(c.short[:len(name)]) == string(name)
	}
	return c.name == string(name)
}
