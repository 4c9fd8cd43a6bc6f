package telegram

// UpdateHeadForTest exposes the poller's quick read to the tests.
func UpdateHeadForTest(d Decoder, raw []byte) (int64, int64, []byte, error) { return d.updateHead(raw) }

// SplitArrayForTest exposes how the poller splits getUpdates' answer.
func SplitArrayForTest(raw []byte) ([][]byte, error) { return splitArray(raw) }
