import CShims
import Glibc
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// Our ONC RPC v2 (RFC 5531) encoding, and the loopback sockets every server uses.
final class ProtocolTests: XCTestCase {
    func words(_ bytes: [UInt8]) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: 4).map { i in
            bytes[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    func call(xid: UInt32, program: UInt32 = 404040, version: UInt32 = 1, procedure: UInt32 = 1) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = cshims_rpc_encode_call(xid, program, version, procedure, 1, &buffer)
        return Array(buffer[0..<Int(n)])
    }

    func answer(_ call: [UInt8]) -> [UInt8]? {
        var reply = [UInt8](repeating: 0, count: 64)
        let n = cshims_rpc_answer(call, Int32(call.count), &reply)
        return n < 0 ? nil : Array(reply[0..<Int(n)])
    }

    func testCallIsAnRFC5531CallWithAuthNone() {
        // xid, CALL, rpcvers 2, program, version, procedure, cred (AUTH_NONE, 0), verf (AUTH_NONE, 0), char 1
        XCTAssertEqual(words(call(xid: 7)), [7, 0, 2, 404040, 1, 1, 0, 0, 0, 0, 1])
    }

    func testReplyCarries123AndChecks() throws {
        let reply = try XCTUnwrap(answer(call(xid: 0xdeadbeef)))
        XCTAssertEqual(words(reply), [0xdeadbeef, 1, 0, 0, 0, 0, 123])
        XCTAssertEqual(cshims_rpc_check_reply(reply, Int32(reply.count), 0xdeadbeef), 0)
        XCTAssertEqual(cshims_rpc_check_reply(reply, Int32(reply.count), 5), 1, "another call's reply")
        XCTAssertEqual(cshims_rpc_check_reply(reply, 12, 0xdeadbeef), -1, "truncated")
    }

    func testErrorsAreAnsweredAsTheRFCSays() throws {
        XCTAssertEqual(words(try XCTUnwrap(answer(call(xid: 1, program: 99)))), [1, 1, 0, 0, 0, 1], "PROG_UNAVAIL")
        XCTAssertEqual(words(try XCTUnwrap(answer(call(xid: 2, version: 9)))), [2, 1, 0, 0, 0, 2, 1, 1], "PROG_MISMATCH")
        XCTAssertEqual(words(try XCTUnwrap(answer(call(xid: 3, procedure: 7)))), [3, 1, 0, 0, 0, 3], "PROC_UNAVAIL")
        XCTAssertEqual(words(try XCTUnwrap(answer(call(xid: 4, procedure: 0)))), [4, 1, 0, 0, 0, 0], "NULLPROC")
        let failed = try XCTUnwrap(answer(call(xid: 5, program: 99)))
        XCTAssertEqual(cshims_rpc_check_reply(failed, Int32(failed.count), 5), -1)
        XCTAssertNil(answer([1, 2, 3]), "not a call")
        XCTAssertNil(answer(Array(call(xid: 6).prefix(20))), "truncated call")
    }

    func testServerSocketsAreLoopbackOnAnEphemeralPort() throws {
        for type in [Sys.streamSocket, Sys.datagramSocket] {
            let socket = try Sys.loopbackSocket(type: type)
            defer { Sys.close(socket.fd) }
            let address = try Sys.localAddress(socket.fd)
            XCTAssertEqual(UInt32(bigEndian: address.sin_addr.s_addr), 0x7f00_0001)
            XCTAssertGreaterThan(socket.port, 0)
        }
    }

    func testRPCRoundTripsOverBothTransports() throws {
        for type in [Sys.datagramSocket, Sys.streamSocket] {
            let tcp = type == Sys.streamSocket
            let socket = try Sys.loopbackSocket(type: type)
            defer { Sys.close(socket.fd) }
            if tcp { try Sys.listen(socket.fd) }
            let server = try withLoopState(cshims_rpc_server_state(fd: socket.fd)) {
                try Server.start(tcp ? cshims_serve_rpc_tcp : cshims_serve_rpc_udp, $0)
            }
            defer { server.stop() }
            let fd = try Sys.connectLoopback(port: socket.port, type: type)
            defer { Sys.close(fd) }
            try withLoopState(cshims_rpc_client_state(fd: fd, tcp: tcp ? 1 : 0, xid: 0, timeout_ms: 1000, retries: 0)) {
                try TimedLoop(cshims_loop_rpc_call, $0).runOnce(100, name: "rpc")
                XCTAssertEqual($0.pointee.xid, 100)
            }
        }
    }
}
