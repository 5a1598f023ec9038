using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The internal tap map (<see cref="WindowTaps"/>) against the oracle's tap definition, exhaustively over the geometry
/// grid, pooled sizes 1 to 4 and indexed sizes 1 to 9: the cell of every tap (and -1 for one out of range or off the
/// plane), the tap of every cell of the plane, and the windows that lie entirely inside the plane (where the
/// validation only compares the tap with kH*kW).
/// </summary>
public sealed class InWindowTapMapTests
{
    [Fact]
    public void TapsCellsAndInsideWindowsAgreeWithTheOracle()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in InWindowCases.Geometries())
        {
            Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
            for (int pooled = 1; pooled <= 4; pooled++)
            {
                for (int size = 1; size <= 9; size++)
                {
                    var indexed = new Size2D(size, size + 1);
                    var map = new WindowTaps(geometry, new Size2D(pooled, pooled + 1), indexed);
                    string context = $"{Geometry.Describe(rows, cols, ceil)}, pooled {pooled}x{pooled + 1}, indexed {indexed}";
                    bool allInside = true;
                    for (int oh = 0; oh < pooled; oh++)
                    {
                        for (int ow = 0; ow <= pooled; ow++)
                        {
                            long rowStart = map.RowStart(oh), columnStart = map.ColumnStart(ow);
                            bool inside = true;
                            for (long tap = -1; tap <= (long)rows.Kernel * cols.Kernel; tap++)
                            {
                                long cell = IndexConventionReference.CellOfTap(tap, oh, ow, rows, cols, indexed);
                                Assert.True(cell == map.Cell(tap, rowStart, columnStart), $"{context}: window ({oh}, {ow}) tap {tap} is cell {map.Cell(tap, rowStart, columnStart)}, expected {cell}");
                                inside &= tap < 0 || tap == (long)rows.Kernel * cols.Kernel || cell >= 0;
                            }

                            for (long cell = 0; cell < (long)indexed.Height * indexed.Width; cell++)
                            {
                                long tap = IndexConventionReference.TapOfCell(cell / indexed.Width, cell % indexed.Width, oh, ow, rows, cols);
                                Assert.True(tap == map.Tap(cell, rowStart, columnStart), $"{context}: window ({oh}, {ow}) cell {cell} is tap {map.Tap(cell, rowStart, columnStart)}, expected {tap}");
                            }

                            bool mapInside = oh >= map.RowsInside.Start && oh < map.RowsInside.End && ow >= map.ColumnsInside.Start && ow < map.ColumnsInside.End;
                            Assert.True(inside == mapInside, $"{context}: window ({oh}, {ow}) inside {mapInside}, expected {inside}");
                            allInside &= inside;
                        }
                    }

                    Assert.Equal(allInside, map.AllTapsInside);
                }
            }
        }
    }
}
