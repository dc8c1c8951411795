package web

import pd "github.com/partnerdesk/partnerdesk"

// FormatDate is the templates' date function, so that tests expect a date
// exactly as the pages show it.
var FormatDate = funcs["date"].(func(pd.Date) string)
