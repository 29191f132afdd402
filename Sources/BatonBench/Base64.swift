/// RFC 4648 base64 (standard alphabet, `=` padding), as HdrHistogram's
/// logs carry compressed histograms.
///
/// Stateless; any thread.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let word = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in stride(from: 18, through: 0, by: -6) { output.append(alphabet[Int(word >> UInt32(shift)) & 63]) }
            index += 3
        }
        let left = bytes.count - index
        if left > 0 {
            var word = UInt32(bytes[index]) << 16
            if left == 2 { word |= UInt32(bytes[index + 1]) << 8 }
            output.append(alphabet[Int(word >> 18) & 63])
            output.append(alphabet[Int(word >> 12) & 63])
            output.append(left == 2 ? alphabet[Int(word >> 6) & 63] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil when it is not padded base64 of the
    /// standard alphabet (surrounding whitespace is ignored).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8).filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var word: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "=") {
                    guard index + 4 == characters.count, offset >= 2 else { return nil }
                    padding += 1
                    word <<= 6
                    continue
                }
                guard padding == 0, let value = sextet(character) else { return nil }
                word = word << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: word >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: word)) }
            index += 4
        }
        return output
    }

    static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
