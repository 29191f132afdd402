import BatonCodec

/// The schema the tests encode and decode: writes version 2, reads 1 through 3.
let testSchema = MessageSchema(id: 42, version: 2, supportedVersions: 1...3)

/// A message as later protocol messages will be written: two fixed fields.
struct TestAck: MessageFlyweight {
    let address: UnsafeMutableRawPointer
    init(_ address: UnsafeMutableRawPointer) { self.address = address }
    static var templateId: UInt16 { 4 }
    static var encodedLength: Int { 16 }

    var sequence: UInt64 {
        get { load(at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    var position: Int64 {
        get { load(at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
}

/// Another template of the same schema, for the "unexpected template" case.
struct TestPing: MessageFlyweight {
    let address: UnsafeMutableRawPointer
    init(_ address: UnsafeMutableRawPointer) { self.address = address }
    static var templateId: UInt16 { 9 }
    static var encodedLength: Int { 8 }
}
