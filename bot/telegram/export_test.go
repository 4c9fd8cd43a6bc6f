package telegram

// UpdateHeadForTest exposes the poller's quick read to the tests.
func UpdateHeadForTest(d Decoder, raw []byte) (int64, int64, []byte, error) { return d.updateHead(raw) }

// SplitArrayForTest exposes how the poller splits getUpdates' answer.
func SplitArrayForTest(raw []byte) ([][]byte, error) { return splitArray(raw) }

// LeanAnswerForTest exposes the answer the client hands the library in
// place of a sent message.
func LeanAnswerForTest(body []byte) ([]byte, bool) { return leanAnswer(body, messageIDs) }

// LeanUpdatesForTest exposes the getUpdates answer the client hands the
// library, every press cut to its head.
func LeanUpdatesForTest(body []byte) ([]byte, bool) { return leanAnswer(body, pressHeads) }

// PressHeadForTest exposes a press cut to what updateHead reads of it.
func PressHeadForTest(raw []byte) ([]byte, bool) { return pressHead(raw) }

// SentIDsForTest reads a sent message's ids as the sender does.
func SentIDsForTest(result []byte) (message, thread int) {
	return sentMessageID(result), sentThreadID(result)
}

// PickForTest keeps the members of obj whose keys keep accepts.
func PickForTest(obj []byte, keep func(key string) bool) ([]byte, bool) {
	return pick(obj, func(key, value []byte) ([]byte, bool) { return value, keep(string(key)) })
}
