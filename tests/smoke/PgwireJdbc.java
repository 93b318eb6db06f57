// A JDBC client against the [pgwire] listener, for pgwire_test.sh: a PreparedStatement with a
// parameter on a dataset and a version of it, typed columns, DatabaseMetaData's tables and
// columns, and a fenced statement's SQLState. Prints one line per finding; any failure exits 1.
//
//   javac -d DIR PgwireJdbc.java && java -cp DIR:/usr/share/java/postgresql.jar PgwireJdbc PORT
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

public class PgwireJdbc {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/lakehouse";
    try (Connection conn = DriverManager.getConnection(url, "jdbc", "")) {
      for (String table : new String[] {"candidates", "\"candidates@1\""}) {
        String sql = "SELECT id, name, desired_rate FROM " + table + " WHERE id = ?";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
          ps.setLong(1, 7);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long id = rs.getLong(1);
              String name = rs.getString(2);
              double rate = rs.getDouble(3);
              System.out.println("row " + table + " " + id + " " + name + " " + (rate > 0));
            }
          }
        }
      }
      DatabaseMetaData meta = conn.getMetaData();
      System.out.println("product " + meta.getDatabaseProductName() + " "
          + meta.getDatabaseProductVersion());
      try (ResultSet rs = meta.getTables(null, "public", "%", null)) {
        while (rs.next()) {
          System.out.println("table " + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
        }
      }
      try (ResultSet rs = meta.getColumns(null, "public", "candidates", "%")) {
        while (rs.next()) {
          System.out.println("column " + rs.getString("COLUMN_NAME") + " "
              + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE"));
        }
      }
      try (Statement st = conn.createStatement()) {
        st.executeQuery("SELECT * FROM read_csv('/etc/passwd')");
        System.out.println("fence BUG: read_csv ran");
      } catch (SQLException e) {
        System.out.println("fence " + e.getSQLState());
      }
    }
  }
}
