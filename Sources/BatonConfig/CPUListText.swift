import BatonAgent

/// CPU lists in the kernel's compact form (`0-2,5`), for messages.
enum CPUListText {
    static func format(_ cpus: [Int]) -> String { CPUTopology.listText(cpus) }
}
