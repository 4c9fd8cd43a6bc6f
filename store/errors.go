package store

import (
	"errors"
	"fmt"
)

// Error codes, in the manner of benbjohnson/wtf: callers switch on the code,
// never on a message.
const (
	ENOTFOUND = "not_found"
	ECONFLICT = "conflict"
	EINVALID  = "invalid"
	EINTERNAL = "internal"
	ETOONEW   = "schema_too_new"
	EKEY      = "key"
)

type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("store: %s: %s", e.Code, e.Message) }

func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a store error, or EINTERNAL for any other.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrNotFound is matched with errors.Is by callers that only care whether a
// row exists.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "not found"}

func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t == ErrNotFound)
}
