package web

import (
	"encoding/base64"
	"encoding/json"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
	"github.com/partnerdesk/partnerdesk/store"
)

// FormatDate is the templates' date function, so that tests expect a date
// exactly as the pages show it.
var FormatDate = func(d pd.Date) string {
	l, err := locale.Load()
	if err != nil {
		panic(err)
	}
	return l.Get("en").Date(d)
}

// ReplaceFlowNonceForTest returns the single sign-on flow cookie value
// with its nonce replaced, signed as the server signs it: a flow that
// holds another nonce than the one the provider was given.
func (s *Server) ReplaceFlowNonceForTest(cookie, nonce string) string {
	v, _ := s.unsign(flowCookie, cookie)
	b, _ := base64.RawURLEncoding.DecodeString(v)
	var f ssoFlow
	json.Unmarshal(b, &f)
	f.Nonce = nonce
	b, _ = json.Marshal(f)
	return s.sign(flowCookie, base64.RawURLEncoding.EncodeToString(b))
}

// SetPublicLimitsForTest replaces the public pages' limits.
func (s *Server) SetPublicLimitsForTest(l store.PublicLimits) { s.public = l }
