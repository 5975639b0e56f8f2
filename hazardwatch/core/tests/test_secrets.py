from hazardwatch.core import secrets


def test_receipt_codes_are_long_random_and_normalize():
    codes = {secrets.receipt_new() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 19 and code.count("-") == 3
    assert secrets.receipt_normalize(code.lower()) == code.replace("-", "")
    assert secrets.receipt_normalize(" " + code.replace("-", " ") + " ") == code.replace("-", "")


def test_malformed_receipts_are_refused():
    for bad in ["", "abc", "1234-5678", "!" * 16, "A" * 41, None, 12345]:
        assert secrets.receipt_normalize(bad) is None


def test_receipt_hash_is_keyed(settings):
    a = secrets.receipt_hash("ABCDEFGH12345678")
    settings.HAZARDWATCH_RECEIPT_KEY = "another-key"
    assert secrets.receipt_hash("ABCDEFGH12345678") != a


def test_identity_encryption_round_trip_and_opacity():
    token = secrets.encrypt_text('{"phone": "13800138000"}')
    assert "13800138000" not in token
    assert secrets.decrypt_text(token) == '{"phone": "13800138000"}'
