public enum ClientProtocol {}
