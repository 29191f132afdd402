/// Byte counts for people: `16777216` → `16 MiB` (exact binary units only, else bytes).
public enum ByteText {
    public static func format(_ bytes: Int) -> String {
        let units = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")]
        for (shift, unit) in units where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift) \(unit)"
        }
        return "\(bytes) B"
    }
}
