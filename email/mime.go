package email

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Build makes the message m is sent as, from from: multipart/alternative
// with the plain text first and the HTML last (the one a client shows if
// it can), both UTF-8 in quoted-printable, and the headers that mail
// providers expect: From, To, Subject, Date (when it was queued),
// Message-ID (the same on every attempt, so that a receiver can drop a
// duplicate), and List-Unsubscribe for the messages one can turn off.
func Build(m pd.OutboxEmail, from *mail.Address) ([]byte, error) {
	var buf bytes.Buffer
	body := multipart.NewWriter(&buf)
	header := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", (&mail.Address{Name: m.ToName, Address: m.To}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	header("Date", m.CreatedAt.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+m.MessageID+">")
	if m.ListUnsubscribe != "" {
		header("List-Unsubscribe", "<"+m.ListUnsubscribe+">")
	}
	// Sent by a program: auto-responders leave it alone (RFC 3834).
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": body.Boundary()}))
	buf.WriteString("\r\n")
	for _, part := range []struct{ kind, text string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := body.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.kind + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.text)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := body.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
