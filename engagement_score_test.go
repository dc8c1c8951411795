package partnerdesk

import (
	"math/rand/v2"
	"testing"
)

// The score without the breakdown is the index's, for any products and tools.
func TestEngagementScoreIsTheIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		mask, tools := r.Int64N(1<<15), r.Int64N(1<<30)
		if got, want := EngagementScore(mask, tools), EngagementIndex(mask, tools).Index; got != want {
			t.Fatalf("EngagementScore(%b, %b) = %d, EngagementIndex says %d", mask, tools, got, want)
		}
	}
}
